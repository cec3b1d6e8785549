CREATE TABLE t (k VARCHAR(10) COLLATE utf8mb4_bin PRIMARY KEY, v INT) DEFAULT CHARSET=utf8mb4;
INSERT INTO t VALUES ('a', 1), ('A', 2), ('b', 3), ('B', 4), ('ä', 5);
