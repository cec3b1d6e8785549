CREATE TABLE t (id INT PRIMARY KEY, e ENUM('x','y','') , s SET('a','b','c'));
INSERT INTO t VALUES (1, 'y', 'a,c'), (2, '', ''), (3, NULL, NULL), (4, 'x', 'a,b,c');
