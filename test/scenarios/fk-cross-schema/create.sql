CREATE TABLE p (id INT PRIMARY KEY);
INSERT INTO p VALUES (1), (2);
CREATE DATABASE sc_fk_cross_schema_x;
CREATE TABLE sc_fk_cross_schema_x.c (id INT PRIMARY KEY, pid INT, CONSTRAINT x_c_p FOREIGN KEY (pid) REFERENCES sc_fk_cross_schema.p (id));
INSERT INTO sc_fk_cross_schema_x.c VALUES (1, 1), (2, 2);
CREATE TABLE c2 (id INT PRIMARY KEY, xid INT, CONSTRAINT c2_x FOREIGN KEY (xid) REFERENCES sc_fk_cross_schema_x.c (id));
INSERT INTO c2 VALUES (1, 1);
