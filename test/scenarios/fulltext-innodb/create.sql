CREATE TABLE t (id INT PRIMARY KEY, body TEXT, FULLTEXT KEY ft (body)) ENGINE=InnoDB;
INSERT INTO t SELECT seq, CONCAT('word', seq, ' other') FROM seq_1_to_9;
