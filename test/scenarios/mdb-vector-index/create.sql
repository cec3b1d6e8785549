CREATE TABLE t (id INT PRIMARY KEY, emb VECTOR(3) NOT NULL, v VARCHAR(10), VECTOR INDEX vi (emb) M=8 DISTANCE=cosine);
INSERT INTO t SELECT seq, Vec_FromText(CONCAT('[', seq, ', ', 13 - CAST(seq AS SIGNED), ', 1]')), 'v' FROM seq_1_to_12;
CREATE TABLE e (id INT PRIMARY KEY, emb VECTOR(2) NOT NULL, VECTOR KEY (emb)) ENGINE=MyISAM;
INSERT INTO e VALUES (1, Vec_FromText('[1, 2]')), (2, Vec_FromText('[3, 4]'));
