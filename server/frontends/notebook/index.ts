/**
 * Jupyter notebooks as Python: an `.ipynb` file (or the cells an editor sends) becomes one Python
 * text made of its code cells in order, with a map from positions in that text to cells.
 */
import { parseNotebook, pythonCells } from './ipynb';
import { NotebookModule, notebookModule } from './module';

export { NotebookFormatError, parseNotebook, pythonCells } from './ipynb';
export { CellPosition, CellSpan, NotebookMap } from './map';
export { CodeCell, NotebookModule, cleanCell, notebookModule } from './module';
export { RawNotebookPositions } from './rawPositions';

/** An `.ipynb` file's Python module; throws NotebookFormatError when the file is not a notebook. */
export function notebookFromJson(json: string): NotebookModule {
  return notebookModule(pythonCells(parseNotebook(json)));
}
