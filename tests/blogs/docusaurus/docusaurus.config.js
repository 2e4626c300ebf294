// @ts-check
/** @type {import('@docusaurus/types').Config} */
const config = {
  title: 'Field Notes',
  tagline: 'Docs and a blog about a weather station',
  url: 'https://weather.example.com',
  baseUrl: '/',
  presets: [
    ['classic', { docs: { sidebarPath: require.resolve('./sidebars.js') }, blog: { showReadingTime: true } }],
  ],
};

module.exports = config;
