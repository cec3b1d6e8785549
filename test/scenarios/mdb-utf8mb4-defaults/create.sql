CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(20), c CHAR(3), x TEXT, e ENUM('é', 'ü'), KEY (s));
INSERT INTO t SELECT seq, CONCAT('straße ', seq), 'é', REPEAT('😀', seq), IF(seq % 2, 'é', 'ü') FROM seq_1_to_9;
