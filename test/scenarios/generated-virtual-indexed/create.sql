CREATE TABLE t (id INT PRIMARY KEY, a INT, v INT AS (a + 1) VIRTUAL, KEY (v));
INSERT INTO t (id, a) SELECT seq, seq FROM seq_1_to_9;
