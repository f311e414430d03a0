/** Importing this module registers every handler. One file per family of operations. */
import './gemm';
import './elementwise';
import './activations';
import './reductions';
import './nnFunctional';
import './einsum';
import './einopsOps';
import './shapes';
import './constructors';
import './modules';
import './recurrent';
import './layerAttributes';
import './complexAndMasks';
import './data';
import './randomGenerator';
import './datasets';
import './losses';
import './distributed';
import './lightning';
import './timmLayers';
import './xformers';
import './paths';

export * from './registry';
