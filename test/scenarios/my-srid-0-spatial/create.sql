CREATE TABLE t (id INT PRIMARY KEY, p POINT NOT NULL SRID 0, poly POLYGON NOT NULL SRID 0, SPATIAL KEY sp (p), SPATIAL KEY spp (poly));
INSERT INTO t SELECT seq, POINT(seq, seq), ST_GeomFromText(CONCAT('POLYGON((0 0, ', seq, ' 0, ', seq, ' ', seq, ', 0 0))')) FROM seq_1_to_9;
