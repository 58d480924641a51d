export interface OtpMessage {
  readonly userId: string;
  readonly username: string;
  /** The user's contact from DB-1 (USER-1); senders that need one refuse without it. */
  readonly email: string | null;
  readonly code: string;
  readonly ttlSeconds: number;
}

export interface OtpSender {
  readonly name: string;
  /** Whether the user needs an e-mail address in DB-1 (checked before a code is made). */
  readonly needsEmail: boolean;
  send(message: OtpMessage): Promise<void>;
}
