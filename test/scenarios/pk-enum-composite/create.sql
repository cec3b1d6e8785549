CREATE TABLE t (e ENUM('z','a') NOT NULL, n INT NOT NULL, PRIMARY KEY (e, n));
INSERT INTO t VALUES ('a', 1), ('z', 1), ('a', 2), ('z', 2);
