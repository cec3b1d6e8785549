CREATE TABLE t (id INT NOT NULL, country CHAR(2) NOT NULL, PRIMARY KEY (id, country))
  PARTITION BY LIST COLUMNS (country) (PARTITION eu VALUES IN ('DE', 'FR', 'NL'), PARTITION am VALUES IN ('US', 'BR'), PARTITION other VALUES IN ('JP'));
INSERT INTO t SELECT seq, ELT(1 + seq % 6, 'DE', 'FR', 'NL', 'US', 'BR', 'JP') FROM seq_1_to_20;
