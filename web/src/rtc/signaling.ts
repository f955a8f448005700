import type { ClientMessage, ServerMessage } from '../../../src/protocol/room.js';

export interface SignalingHandlers {
  onOpen(): void;
  onMessage(message: ServerMessage): void;
  /** The socket closed without close() being called; `code` is the WebSocket close code. */
  onDrop(code: number): void;
}

/** One WebSocket to /rtc/ws on the page's own origin. Reconnection is the room's decision. */
export class Signaling {
  private socket: WebSocket | null = null;
  private intentional = false;

  constructor(private readonly handlers: SignalingHandlers) {}

  connect(): void {
    this.intentional = false;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/rtc/ws`);
    this.socket = socket;
    socket.addEventListener('open', () => {
      if (this.socket === socket) this.handlers.onOpen();
    });
    socket.addEventListener('message', (event) => {
      if (this.socket !== socket || typeof event.data !== 'string') return;
      let message: ServerMessage;
      try {
        message = JSON.parse(event.data) as ServerMessage;
      } catch {
        return;
      }
      if (message && typeof message.type === 'string') this.handlers.onMessage(message);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.intentional) this.handlers.onDrop(event.code);
    });
  }

  get open(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  send(message: ClientMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Closes on purpose (leave, removed, ended): no onDrop. */
  close(): void {
    this.intentional = true;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000);
  }
}
