CREATE TABLE t (k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_as_cs NOT NULL PRIMARY KEY, v INT);
INSERT INTO t VALUES ('a', 1), ('A', 2), ('á', 3), ('Á', 4), ('b', 5), ('B', 6), ('ç', 7), ('c', 8), ('😀', 9), ('😃', 10);
