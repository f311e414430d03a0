/** Importing this module registers every handler. One file per family of operations. */
import './gemm';

export * from './registry';
