CREATE TABLE t (k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_ai_ci NOT NULL PRIMARY KEY, v INT);
INSERT INTO t VALUES ('a', 1), ('B', 2), ('ç', 3), ('d', 4), ('É', 5), ('f', 6), ('ß', 7), ('Ω', 8), ('😀', 9), ('😃', 10), ('', 11);
CREATE TABLE s (k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_as_cs NOT NULL, n INT NOT NULL, PRIMARY KEY (k, n));
INSERT INTO s VALUES ('a', 1), ('A', 1), ('á', 1), ('Á', 1), ('b', 2), ('B', 2), ('a', 2);
CREATE TABLE n (k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_nopad_as_ci NOT NULL PRIMARY KEY);
INSERT INTO n VALUES ('x'), ('x '), ('y');
