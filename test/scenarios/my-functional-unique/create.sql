CREATE TABLE t (email VARCHAR(80) NOT NULL, n INT NOT NULL, UNIQUE KEY ue ((LOWER(email))));
INSERT INTO t SELECT CONCAT('User', seq, '@Example.com'), seq FROM seq_1_to_12;
