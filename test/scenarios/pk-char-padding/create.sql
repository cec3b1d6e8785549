CREATE TABLE t (k CHAR(5) PRIMARY KEY, v INT);
INSERT INTO t VALUES ('a', 1), ('a b', 2), ('b', 3), (' c', 4), ('', 5);
