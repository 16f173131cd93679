import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { getApi } from './api'
import { App } from './App'
import './styles.css'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={getApi()} />
  </StrictMode>
)
