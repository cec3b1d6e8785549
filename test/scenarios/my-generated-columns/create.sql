CREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(20),
  gv INT AS (a * 2) VIRTUAL, gs VARCHAR(40) AS (CONCAT(b, '-', a)) STORED, gj JSON AS (JSON_OBJECT('a', a)) VIRTUAL,
  gi INT AS (a + 1) VIRTUAL INVISIBLE, KEY (gv), UNIQUE KEY (gs), KEY kgs (gs DESC));
INSERT INTO t (id, a, b) SELECT seq, seq, CONCAT('b', seq) FROM seq_1_to_12;
