/** Entry point when the VS Code client starts the server as a Node module (IPC transport). */
import { startServer } from './server';
import { collectGarbageAfterParserRelease } from '../node/collectAfterRelease';
import { collectWhenIdle } from '../node/collectWhenIdle';

startServer();
collectGarbageAfterParserRelease();
collectWhenIdle();
