CREATE TABLE t (id INT PRIMARY KEY, v INT) TABLESPACE innodb_system;
CREATE TABLE f (id INT PRIMARY KEY, v INT) TABLESPACE innodb_file_per_table;
INSERT INTO t SELECT seq, seq FROM seq_1_to_9;
INSERT INTO f SELECT seq, seq FROM seq_1_to_9;
