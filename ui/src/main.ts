import { mount } from 'svelte'
import './app.css'
import App from './App.svelte'
import { startSession } from './api/session.svelte'

startSession()

export default mount(App, { target: document.getElementById('app')! })
