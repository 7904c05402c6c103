-- Neovim support for .wave files: the filetype, comments, and the built-in
-- LSP client started on `wavec lsp` for every .wave buffer. Works with
-- Neovim 0.7 and later. Load it from init.lua:
--
--   dofile("/path/to/wavec/editors/nvim/wavec.lua")
--
-- or copy it to ~/.config/nvim/plugin/wavec.lua. Set vim.g.wavec_cmd to run
-- another wavec, e.g. { "/opt/wavec/bin/wavec", "lsp" }.

if vim.filetype and vim.filetype.add then
  vim.filetype.add({ extension = { wave = "wave" } })
end
-- Neovim 0.7 detects filetypes with filetype.vim unless told otherwise.
vim.cmd([[autocmd BufRead,BufNewFile *.wave setfiletype wave]])

-- One server per pipeline directory: a pipeline is every .wave file of one
-- directory.
local clients = {}

local function start(buf)
  local name = vim.api.nvim_buf_get_name(buf)
  local root = vim.fn.fnamemodify(name, ":p:h")
  local config = {
    name = "wavec",
    cmd = vim.g.wavec_cmd or { "wavec", "lsp" },
    root_dir = root,
  }
  if vim.lsp.start then
    -- Neovim 0.8 and later reuse a client with the same name and root.
    vim.lsp.start(config, { bufnr = buf })
    return
  end
  local id = clients[root]
  if not id or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client(config)
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(buf, id)
  end
end

local group = vim.api.nvim_create_augroup("wavec", { clear = true })
vim.api.nvim_create_autocmd("FileType", {
  group = group,
  pattern = "wave",
  callback = function(args)
    vim.bo[args.buf].commentstring = "// %s"
    vim.bo[args.buf].comments = "://"
    vim.bo[args.buf].omnifunc = "v:lua.vim.lsp.omnifunc"
    start(args.buf)
  end,
})
