CREATE TABLE t (a VARCHAR(100) NOT NULL, UNIQUE KEY u (a(10)));
INSERT INTO t VALUES ('aaaaaaaaaa1'), ('aaaaaaaaab2'), ('b');
