CREATE TABLE t (id INT PRIMARY KEY, a CHAR(10), b VARCHAR(300), c BINARY(4), d VARBINARY(10), e TINYTEXT, f TEXT, g MEDIUMTEXT, h LONGTEXT);
INSERT INTO t VALUES (1, 'pad  ', 'x''y"z\\w', 'ab', 0x00FF00, 'tt', REPEAT('t', 300), REPEAT('m', 70000), REPEAT('l', 100)), (2, '', '', '', '', '', '', '', ''), (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
