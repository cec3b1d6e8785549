CREATE TABLE t (a INT, b INT, v INT, PRIMARY KEY (a, b));
INSERT INTO t SELECT seq % 4, seq, seq FROM seq_1_to_30;
