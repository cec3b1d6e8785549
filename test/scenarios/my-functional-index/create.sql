CREATE TABLE t (id INT PRIMARY KEY, a INT, s VARCHAR(40), KEY f1 ((a * 2)), KEY f2 ((LOWER(s)), a), KEY f3 ((LEFT(s, 5)) DESC));
INSERT INTO t SELECT seq, seq, CONCAT('Name', seq) FROM seq_1_to_12;
