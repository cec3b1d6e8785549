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
  flavour: Flavour;
}

export interface SandboxInfo {
  kind: 'local' | 'container';
  flavour: Flavour;
  root?: string;
  primary: ServerInfo;
  replica: ServerInfo;
}
