CREATE TABLE t (s SET('z','y','x') PRIMARY KEY, v INT);
INSERT INTO t VALUES ('x', 1), ('y', 2), ('z', 3), ('x,y', 4), ('x,z', 5), ('x,y,z', 6);
