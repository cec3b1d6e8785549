CREATE TABLE t (id INT PRIMARY KEY, title VARCHAR(100), body TEXT, FULLTEXT KEY ft (title, body), FULLTEXT KEY ft2 (body));
INSERT INTO t SELECT seq, CONCAT('Title ', seq), CONCAT('body text number ', seq, ' with words') FROM seq_1_to_12;
