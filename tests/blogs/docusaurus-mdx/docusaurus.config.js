// @ts-check
/** @type {import('@docusaurus/types').Config} */
const config = {
  title: 'Tide Tables',
  tagline: 'A harbour log written in MDX',
  url: 'https://tides.example.net',
  baseUrl: '/',
  presets: [['classic', { blog: { showReadingTime: true } }]],
};

module.exports = config;
