import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { bootstrapSession, configureApiClient } from './api/http';
import './styles.css';

configureApiClient();
// One refresh on start: the httpOnly cookie tells whether this browser is still signed in.
void bootstrapSession();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
