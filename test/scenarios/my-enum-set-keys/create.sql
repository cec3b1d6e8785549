CREATE TABLE t (e ENUM('zeta', 'alpha', 'mid') NOT NULL, s SET('r', 'w', 'x') NOT NULL, n INT NOT NULL, PRIMARY KEY (e, s, n));
INSERT INTO t SELECT ELT(1 + seq % 3, 'zeta', 'alpha', 'mid'), ELT(1 + seq % 4, '', 'r', 'w,x', 'r,w,x'), seq FROM seq_1_to_24;
CREATE TABLE u (e ENUM('b', 'a') NOT NULL PRIMARY KEY, v INT);
INSERT INTO u VALUES ('a', 1), ('b', 2);
