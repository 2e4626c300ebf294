export default function TideChart() { return null; }
