// Small DOM helpers: elements are built with properties and text only (never innerHTML), so data cannot become markup.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') {
      node.className = value;
    } else if (key === 'data') {
      for (const [name, v] of Object.entries(value)) {
        node.dataset[name] = v;
      }
    } else if (key.startsWith('on')) {
      node.addEventListener(key.slice(2), value);
    } else {
      node[key] = value;
    }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

export function setText(node, text) {
  const value = String(text);
  if (node.textContent !== value) {
    node.textContent = value;
  }
}

export function format(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

export function percent(value) {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '–';
}
