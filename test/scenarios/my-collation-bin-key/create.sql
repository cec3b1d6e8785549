CREATE TABLE t (k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_bin NOT NULL, l CHAR(3) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL, m VARCHAR(5) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, v INT, PRIMARY KEY (k, l));
INSERT INTO t VALUES ('a', 'x', 'a', 1), ('A', 'x', 'A', 2), ('a ', 'x', 'a ', 3), ('á', 'y', NULL, 4), ('😀', 'z', '😀', 5), ('Z', 'x', '', 6), ('z', 'X', 'z', 7);
