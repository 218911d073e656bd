import { useParams } from 'react-router';
import { NoteEditor } from './NoteEditor';

/** A note opened by its id (e.g. from the chart's "last note"). */
export function NotePage() {
  const { noteId = '' } = useParams();
  return <NoteEditor noteId={noteId} />;
}

export default NotePage;
