/**
 * The torture schema: the table kinds a fault can hurt most. Foreign keys both ways (a parent, a
 * middle table that references and is referenced, a child), a trigger, partitions, generated
 * columns, no key at all, an AUTO_INCREMENT counter above the rows, a string key, and a table
 * large enough (many chunks) that a random kill often lands mid-copy.
 */
import { seqSql } from '../fixtures/kinds.js';

export const TORTURE_SCHEMA = 'bf_torture';

export function tortureFixture(maria: boolean): string {
  const seq = (n: number) => seqSql(maria, n);
  return `
${maria ? '' : 'SET SESSION cte_max_recursion_depth = 100000000;'}
DROP DATABASE IF EXISTS ${TORTURE_SCHEMA};
CREATE DATABASE ${TORTURE_SCHEMA};
USE ${TORTURE_SCHEMA};
CREATE TABLE big (id INT PRIMARY KEY, pad CHAR(50)) ENGINE=InnoDB;
INSERT INTO big SELECT seq, REPEAT('t', 50) FROM (${seq(60000)}) s;
CREATE TABLE skey (k VARCHAR(24) NOT NULL PRIMARY KEY, v INT) ENGINE=InnoDB;
INSERT INTO skey SELECT CONCAT('key-', LPAD(seq, 8, '0')), seq FROM (${seq(4000)}) s;
CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO parent SELECT seq FROM (${seq(200)}) s;
CREATE TABLE middle (id INT PRIMARY KEY, p INT, CONSTRAINT middle_p FOREIGN KEY (p) REFERENCES parent (id)) ENGINE=InnoDB;
INSERT INTO middle SELECT seq, seq FROM (${seq(200)}) s;
CREATE TABLE leaf (id INT PRIMARY KEY, m INT, CONSTRAINT leaf_m FOREIGN KEY (m) REFERENCES middle (id) ON DELETE CASCADE) ENGINE=InnoDB;
INSERT INTO leaf SELECT seq, seq FROM (${seq(200)}) s;
CREATE TABLE counted (id INT AUTO_INCREMENT PRIMARY KEY, n INT) ENGINE=InnoDB AUTO_INCREMENT=5000;
INSERT INTO counted (n) SELECT seq FROM (${seq(300)}) s;
CREATE TRIGGER counted_bi BEFORE INSERT ON counted FOR EACH ROW SET NEW.n = NEW.n * 2;
CREATE TABLE parted (id INT NOT NULL, v INT, PRIMARY KEY (id))
  PARTITION BY RANGE (id) (PARTITION a VALUES LESS THAN (1000), PARTITION b VALUES LESS THAN MAXVALUE);
INSERT INTO parted SELECT seq, seq FROM (${seq(2000)}) s;
CREATE TABLE genc (id INT PRIMARY KEY, a INT, b INT AS (a * 2) STORED, c VARCHAR(20) AS (CONCAT('c', a)) VIRTUAL, KEY (c)) ENGINE=InnoDB;
INSERT INTO genc (id, a) SELECT seq, seq FROM (${seq(500)}) s;
CREATE TABLE nokey (a INT, b VARCHAR(10)) ENGINE=InnoDB;
INSERT INTO nokey SELECT seq % 7, 'n' FROM (${seq(500)}) s;
`;
}
