CREATE TABLE t (a INET6 NOT NULL PRIMARY KEY, b INET4 NOT NULL, c INET6, UNIQUE KEY ub (b), KEY kc (c));
INSERT INTO t SELECT CONCAT('2001:db8::', HEX(seq)), CONCAT('10.0.', seq DIV 256, '.', seq % 256), CONCAT('::ffff:192.168.0.', seq) FROM seq_1_to_20;
INSERT INTO t VALUES ('::', '0.0.0.0', NULL), ('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '255.255.255.255', '::1');
CREATE TABLE u (b INET4 NOT NULL, v INT, UNIQUE KEY (b));
INSERT INTO u SELECT CONCAT('192.168.', seq, '.1'), seq FROM seq_1_to_9;
