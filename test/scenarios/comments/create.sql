CREATE TABLE t (id INT PRIMARY KEY COMMENT 'the ''id''', v VARCHAR(10) COMMENT 'a \\ backslash') COMMENT='tbl';
INSERT INTO t VALUES (1, 'a'), (2, 'b');
