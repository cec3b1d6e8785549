CREATE TABLE t (id INT PRIMARY KEY, v INT, hidden INT INVISIBLE DEFAULT 7);
INSERT INTO t (id, v, hidden) SELECT seq, seq, seq * 100 FROM seq_1_to_9;
