CREATE TABLE t (k VARCHAR(10) COLLATE utf8mb4_general_ci PRIMARY KEY, v INT) DEFAULT CHARSET=utf8mb4;
INSERT INTO t VALUES ('a', 1), ('B', 2), ('c', 3), ('ñ', 4), ('d', 5), ('E', 6), ('f ', 7);
