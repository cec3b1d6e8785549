CREATE TABLE t (id INT PRIMARY KEY, emb VECTOR(4) NOT NULL, opt VECTOR(2));
INSERT INTO t SELECT seq, Vec_FromText(CONCAT('[', seq, ', ', seq / 3, ', -1.5, 0]')), IF(seq % 2, Vec_FromText('[0.25, 1e10]'), NULL) FROM seq_1_to_9;
