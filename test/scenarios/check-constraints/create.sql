CREATE TABLE t (id INT PRIMARY KEY, a INT CHECK (a > 0), b INT, CONSTRAINT b_pos CHECK (b >= 0), CHECK (a < 1000));
INSERT INTO t SELECT seq, seq, seq FROM seq_1_to_9;
