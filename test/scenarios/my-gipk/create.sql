SET SESSION sql_generate_invisible_primary_key = ON;
CREATE TABLE t (v VARCHAR(20), n INT);
SET SESSION sql_generate_invisible_primary_key = OFF;
INSERT INTO t (v, n) SELECT CONCAT('row', seq), seq FROM seq_1_to_12;
