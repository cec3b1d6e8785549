CREATE TABLE t (a INT, b VARCHAR(10), UNIQUE KEY (a));
INSERT INTO t SELECT IF(seq % 3 = 0, NULL, seq), 'x' FROM seq_1_to_12;
CREATE TABLE h (v VARCHAR(10));
INSERT INTO h VALUES ('dup'), ('dup'), ('dup');
