/** A route or binding the HTTP host cannot serve. */
export class HttpHostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpHostError';
  }
}
