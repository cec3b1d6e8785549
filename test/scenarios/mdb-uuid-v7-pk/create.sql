CREATE TABLE t (id UUID NOT NULL DEFAULT uuid_v7() PRIMARY KEY, n INT);
INSERT INTO t (n) SELECT seq FROM seq_1_to_20;
INSERT INTO t VALUES ('00000000-0000-0000-0000-000000000000', 0), ('ffffffff-ffff-ffff-ffff-ffffffffffff', -1), ('01234567-89ab-7def-8123-456789abcdef', -2);
