CREATE TABLE t (k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci NOT NULL PRIMARY KEY, v INT);
INSERT INTO t VALUES ('a', 1), ('B', 2), ('ç', 3), ('d ', 4), ('d', 12), ('É', 5), ('f', 6), ('ß', 7), ('Ω', 8), ('😀', 9), ('', 11);
