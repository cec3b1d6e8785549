CREATE TABLE t (e ENUM('d','b','c','a','e') PRIMARY KEY, v INT);
INSERT INTO t VALUES ('a', 1), ('b', 2), ('c', 3), ('d', 4), ('e', 5);
