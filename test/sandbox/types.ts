export type Flavour = 'mysql' | 'mariadb';

/** How to reach one sandbox server (plain data: passed from global setup to test files). */
export interface ServerInfo {
  name: 'primary' | 'replica';
  host: string;
  port: number;
  user: string;
  password: string;
  /** Local servers only. */
  datadir?: string;
  /** The CA that signed the server's certificate (for 127.0.0.1), where TLS is set up. */
  tlsCa?: string;
  /** Local servers only: how to start it again after a test killed it. */
  command?: { binary: string; args: string[] };
  /** Local servers run from a flavour's root: the root (paths the server sees are inside it). */
  chroot?: string;
  /**
   * The server's own binlog reader: a path inside `chroot` where there is one, a program on the
   * container's PATH for a container, else (unset) the one on this machine's PATH.
   */
  binlogReader?: string;
  /**
   * Containers only: the container the server runs in (its id) and the port it listens on there. The
   * flavour's client programs run in it (`docker exec`) and reach the server on 127.0.0.1:`port`.
   */
  container?: { id: string; port: number };
  flavour: Flavour;
}

export interface SandboxInfo {
  kind: 'local' | 'container';
  /** What BF_SANDBOX asked for: local, mysql, mariadb-lts or container:<image>. */
  source: string;
  flavour: Flavour;
  root?: string;
  primary: ServerInfo;
  replica: ServerInfo;
}

/** The sandbox users, created on each server with binlogging off (never replicated). */
export function sandboxUsersSql(host: string, password: string): string {
  return `SET SESSION sql_log_bin = 0;
    CREATE USER 'sandbox'@'${host}' IDENTIFIED BY '${password}';
    GRANT ALL PRIVILEGES ON *.* TO 'sandbox'@'${host}' WITH GRANT OPTION;
    CREATE USER 'repl'@'${host}' IDENTIFIED BY 'repl-pw';
    GRANT REPLICATION SLAVE ON *.* TO 'repl'@'${host}';`;
}
