import { render } from 'preact';
import { App } from './App';
import { lang } from './i18n';
import './styles.css';

document.documentElement.lang = lang.get();
const root = document.getElementById('app');
if (root) render(<App />, root);
